import { computed, shallowRef } from 'vue';
import { answer, api } from '../api/client';
import type { DirectoryAnswer, OrgUnit } from '../api/types';
import { useSession } from './useSession';

// Replaced whole, never changed in place: no reactive proxy over each of its units and categories.
const directory = shallowRef<DirectoryAnswer | null>(null);
let loading: Promise<void> | null = null;

/** The org tree and category catalogue, loaded once per tab: names for ids, suggestions for dispatch. */
export function useDirectory() {
  // Loaded once signed in (the directory needs a token); pages call this again after sign-in.
  if (!directory.value && !loading && useSession().token.value) {
    loading = answer<DirectoryAnswer>(api.GET('/directory')).then((d) => { directory.value = d; }).finally(() => { loading = null; });
  }
  const units = computed(() => new Map((directory.value?.units ?? []).map((u) => [u.id, u])));
  const categories = computed(() => new Map((directory.value?.categories ?? []).map((c) => [c.code, c])));
  const ofKind = (kind: OrgUnit['kind']) => (directory.value?.units ?? []).filter((u) => u.kind === kind);
  return {
    ready: computed(() => directory.value !== null),
    units: computed(() => directory.value?.units ?? []),
    categories: computed(() => directory.value?.categories ?? []),
    compounds: computed(() => ofKind('compound')),
    departments: computed(() => ofKind('department')),
    ofKind,
    unit: (id: string | null | undefined) => (id ? units.value.get(id) : undefined),
    /** A unit's name; the id itself only while the directory is loading or for a unit it lacks. */
    unitName: (id: string | null | undefined) => (id ? units.value.get(id)?.name ?? '' : ''),
    categoryName: (code: string | null | undefined) => (code ? categories.value.get(code)?.name ?? '' : ''),
    /** The units above a unit, nearest first. */
    ancestors(id: string): OrgUnit[] {
      const chain: OrgUnit[] = [];
      let unit = units.value.get(id);
      while (unit?.parentId) {
        unit = units.value.get(unit.parentId);
        if (unit) chain.push(unit);
      }
      return chain;
    },
  };
}
