import { ElMessage } from 'element-plus';
import { ApiFailure } from '../api/client';
import { i18n } from '../i18n';

/** A refusal in words: the code's translation, never the code or the server's English message. */
export function failureText(error: unknown): string {
  const t = i18n.global.t;
  if (error instanceof ApiFailure) {
    const key = `refusal.${error.code}`;
    return i18n.global.te(key) ? t(key) : t('refusal.INTERNAL_ERROR');
  }
  return t('refusal.INTERNAL_ERROR');
}

export function showFailure(error: unknown): void {
  void ElMessage.error({ message: failureText(error), showClose: true });
}
