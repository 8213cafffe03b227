import { ref } from 'vue';

/** One clock for every countdown on the page, ticking every 15 s. */
export const now = ref(Date.now());
setInterval(() => { now.value = Date.now(); }, 15_000);
