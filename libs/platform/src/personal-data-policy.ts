import { ERASED, personalFieldsOf } from '@civicloop/domain';
import { PersonalDataPolicy } from '@civicloop/event-store';

/** The domain's table of what residents provide, handed to the store's encryption. */
export const PERSONAL_DATA_POLICY: PersonalDataPolicy = { fieldsOf: personalFieldsOf, erasedText: ERASED };
