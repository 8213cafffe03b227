import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Param, Post, Type } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CaseCommand } from '@civicloop/domain';
import { CommandAnswer, CommandContext, ExecuteCaseCommand } from '@civicloop/cases';
import { CommandMeta } from '../../common/command-context.decorator';
import { Gated } from '../../auth/access.guard';

export interface CaseCommandEndpointSpec<Dto extends object> {
  /** `POST /cases/{id}/<path>` */
  path: string;
  summary: string;
  dto: Type<Dto>;
  /** A new id the server mints for what the command creates (a whistle, an order), answered beside the revision. */
  mints?: 'whistleId' | 'supervisionId';
  /** Maps the validated body (and the minted id) to the command: a controller does nothing else. */
  toCommand: (body: Dto, mintedId: string) => CaseCommand;
}

/**
 * One controller class per command, all alike: the request is mapped to a command and handed to
 * the one gate, which authorizes, decides and appends. Who may do it is the gate's question.
 */
export function caseCommandEndpoint<Dto extends object>(spec: CaseCommandEndpointSpec<Dto>): Type<unknown> {
  @ApiTags('cases') @ApiBearerAuth()
  @Controller('cases')
  class CaseCommandController {
    constructor(readonly commandBus: CommandBus) {}

    @Gated()
    @Post(`:id/${spec.path}`) @HttpCode(200)
    @ApiOperation({ summary: spec.summary }) @ApiBody({ type: spec.dto })
    async handle(@Param('id') id: string, @Body() body: Dto, @CommandMeta() meta: CommandContext): Promise<CommandAnswer> {
      const minted = randomUUID();
      const answer: CommandAnswer = await this.commandBus.execute(new ExecuteCaseCommand(id, spec.toCommand(body, minted), meta));
      return spec.mints ? { ...answer, [spec.mints]: minted } : answer;
    }
  }
  // A generic parameter has no runtime type: name the DTO so the validation pipe and OpenAPI see it.
  Reflect.defineMetadata('design:paramtypes', [String, spec.dto, Object], CaseCommandController.prototype, 'handle');
  const name = spec.path.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
  Object.defineProperty(CaseCommandController, 'name', { value: `${name}Controller` });
  return CaseCommandController;
}
