import { caseCommandEndpoint } from '../common/case-command.endpoint';
import { AddNoteDto } from './add-note.dto';

export const AddNoteEndpoint = caseCommandEndpoint({
  path: 'note',
  summary: '办理记录 A note on the handling',
  dto: AddNoteDto,
  toCommand: (body) => ({ type: 'AddNote', data: { text: body.text } }),
});
