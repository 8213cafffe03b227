import { createApp } from 'vue';
// Element Plus components come with the pages that use them (unplugin-vue-components in
// vite.config.mts); the base variables and the message box, called from code, are loaded here.
import 'element-plus/theme-chalk/base.css';
import 'element-plus/theme-chalk/el-message.css';
import App from './App.vue';
import { i18n, setLocale, storedLocale } from './i18n';
import { router } from './router';
import { showFailure } from './composables/useFailure';

const app = createApp(App).use(i18n).use(router);
// A refused command or a failed read is shown in words; it is not a console error.
app.config.errorHandler = (error) => showFailure(error);
window.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  showFailure(event.reason);
});
// A browser that chose English last starts in English, once its catalogue has loaded; in Chinese
// (the console's first language, and the one loaded with the shell) the app starts at once.
if (storedLocale() === 'en') void setLocale('en').finally(() => app.mount('#app'));
else app.mount('#app');
