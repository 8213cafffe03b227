import { HttpException, HttpStatus } from '@nestjs/common';

export interface FieldProblem {
  field: string;
  problem: string;
}

/** Every error answer has this shape: a stable code, a sentence, and the fields at fault. */
export interface ApiErrorBody {
  code: string;
  message: string;
  fields?: FieldProblem[];
}

export class ApiError extends HttpException {
  constructor(status: HttpStatus, code: string, message: string, fields?: FieldProblem[]) {
    super({ code, message, ...(fields ? { fields } : {}) } satisfies ApiErrorBody, status);
  }

  static badRequest(code: string, message: string, fields: FieldProblem[]): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, code, message, fields);
  }
}
