import { computed, reactive } from 'vue';
import type { Role } from '../api/types';
import { SESSION_KEY, storedToken } from './sessionToken';

export interface SessionUser {
  id: string;
  name: string;
  role: Role;
  unitId: string | null;
}

/** Claims of a token, read (not verified: the API verifies) to know whom the console shows. */
function userOf(token: string): SessionUser | null {
  try {
    const payload: unknown = JSON.parse(decodeURIComponent(escape(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')))));
    if (!payload || typeof payload !== 'object') return null;
    const claims = payload as Record<string, unknown>;
    if (typeof claims.sub !== 'string' || typeof claims.role !== 'string') return null;
    return { id: claims.sub, name: typeof claims.name === 'string' ? claims.name : claims.sub, role: claims.role as Role, unitId: typeof claims.org === 'string' ? claims.org : null };
  } catch {
    return null;
  }
}

const state = reactive<{ token: string | null; user: SessionUser | null }>({ token: null, user: null });
const stored = storedToken();
if (stored) {
  state.token = stored;
  state.user = userOf(stored);
}

export function useSession() {
  return {
    token: computed(() => state.token),
    user: computed(() => state.user),
    signIn(token: string): boolean {
      const user = userOf(token);
      if (!user) return false;
      state.token = token;
      state.user = user;
      sessionStorage.setItem(SESSION_KEY, token);
      return true;
    },
    signOut(): void {
      state.token = null;
      state.user = null;
      sessionStorage.removeItem(SESSION_KEY);
    },
  };
}

/** The page each role starts on. */
export function homeOf(role: Role | undefined): string {
  switch (role) {
    case 'operator': return '/board';
    case 'handler': return '/workbench';
    case 'supervisor': return '/dashboard';
    case 'auditor': return '/audit';
    case 'resident': return '/resident';
    default: return '/board';
  }
}
