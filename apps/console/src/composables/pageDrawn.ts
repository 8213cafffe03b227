import { ref } from 'vue';

/**
 * Whether the page the console opened on has drawn what it shows first (the board's rows, a case's
 * timeline). What nobody looks at first (the header's language select, a page's filters and
 * menus) is loaded after it, so its code is not downloaded and run before that first paint.
 */
export const pageDrawn = ref(false);

/** Called when the first content is on screen: set in the task after the browser has drawn it. */
export function markDrawn(): void {
  if (!pageDrawn.value) requestAnimationFrame(() => setTimeout(() => { pageDrawn.value = true; }, 0));
}
