import { createI18n } from 'vue-i18n';
import zhCN from './zh-CN';

export type Locale = 'zh-CN' | 'en';
export type Catalogue = typeof zhCN;
const STORAGE_KEY = 'civicloop.locale';

/** The locale chosen last on this browser (Chinese unless English was chosen). */
export function storedLocale(): Locale {
  return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN';
}

// Chinese only at the start: the English catalogue is loaded when English is chosen (setLocale),
// so a page in Chinese, the console's first language, neither downloads nor parses it.
export const i18n = createI18n<[Catalogue], Locale, false>({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  // The 'en' slot holds the Chinese catalogue until English is loaded; it is never shown before:
  // setLocale switches to English only once the English catalogue is in.
  messages: { 'zh-CN': zhCN, en: zhCN },
  // A missing key is a bug the untranslated-codes test catches; don't also flood the console.
  missingWarn: false,
  fallbackWarn: false,
});

let english: Promise<void> | null = null;

function loadEnglish(): Promise<void> {
  english ??= import('./en').then((module) => {
    // Typed as the zh-CN catalogue: a key missing in English is a build error.
    const catalogue: Catalogue = module.default;
    i18n.global.setLocaleMessage('en', catalogue);
  }, (error: unknown) => {
    english = null; // asked again on the next choice of English
    throw error;
  });
  return english;
}

export async function setLocale(locale: Locale): Promise<void> {
  if (locale === 'en') await loadEnglish();
  i18n.global.locale.value = locale;
  localStorage.setItem(STORAGE_KEY, locale);
  document.documentElement.lang = locale;
}
