const STORAGE_KEY = 'citybrain.token';

/**
 * Takes a token handed over in the address (`#token=…` or `?token=…`), removes it from
 * the address bar so it is not bookmarked or shared, and keeps it for this tab.
 */
export function takeTokenFromUrl(): string | undefined {
  const url = new URL(window.location.href);
  const hash = new URLSearchParams(url.hash.replace(/^#/, ''));
  const token = hash.get('token') ?? url.searchParams.get('token') ?? undefined;
  if (token === undefined) return undefined;
  hash.delete('token');
  url.searchParams.delete('token');
  const rest = hash.toString();
  url.hash = rest ? `#${rest}` : '';
  window.history.replaceState(null, '', url.toString());
  return token.trim() || undefined;
}

/** The token kept for this tab, if any. */
export function storedToken(): string | undefined {
  return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
}

/** Keeps the token for this tab (sessionStorage: gone when the tab closes). */
export function storeToken(token: string): void {
  sessionStorage.setItem(STORAGE_KEY, token);
}

/** Forgets the token. */
export function clearToken(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
