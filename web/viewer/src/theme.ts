const STORAGE_KEY = 'poglytics-viewer-theme';
const prefersDark = matchMedia('(prefers-color-scheme: dark)');

export type Theme = 'dark' | 'light';

/** The theme in force: the one chosen with the toggle, else the system's (prefers-color-scheme). */
export function currentTheme(): Theme {
  const chosen = localStorage.getItem(STORAGE_KEY);
  if (chosen === 'dark' || chosen === 'light') return chosen;
  return prefersDark.matches ? 'dark' : 'light';
}

/** Applies the theme now and whenever it changes (toggle or system); `changed` re-draws what depends on it. */
export function setUpTheme(toggle: HTMLButtonElement, changed: () => void): void {
  const apply = () => {
    const theme = currentTheme();
    document.documentElement.dataset.theme = theme;
    toggle.textContent = theme === 'dark' ? '☀' : '☾';
    toggle.title = theme === 'dark' ? 'Light theme' : 'Dark theme';
    toggle.setAttribute('aria-label', toggle.title);
    changed();
  };
  toggle.addEventListener('click', () => {
    localStorage.setItem(STORAGE_KEY, currentTheme() === 'dark' ? 'light' : 'dark');
    apply();
  });
  prefersDark.addEventListener('change', apply);
  apply();
}
