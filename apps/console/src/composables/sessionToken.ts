/** Where the signed-in user's token is kept: sessionStorage lasts for this tab only and never travels in a URL. */
export const SESSION_KEY = 'civicloop.session';

export function storedToken(): string | null {
  return sessionStorage.getItem(SESSION_KEY);
}
