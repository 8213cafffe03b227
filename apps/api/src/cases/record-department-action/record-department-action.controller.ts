import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '@civicloop/cases';
import { CommandMeta } from '../../common/command-context.decorator';
import { CommandAnswer, ExecuteCaseCommand } from '@civicloop/cases';
import { RecordDepartmentActionDto } from './record-department-action.dto';
import { Access } from '../../auth/access.guard';

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class RecordDepartmentActionController {
  constructor(private readonly commandBus: CommandBus) {}

  /** A reported department records what it did; the last one completes the whistle. */
  @Access('department-action')
  @Post(':id/department-action') @HttpCode(200)
  departmentAction(@Param('id') id: string, @Body() body: RecordDepartmentActionDto, @CommandMeta() meta: CommandContext): Promise<CommandAnswer> {
    return this.commandBus.execute(new ExecuteCaseCommand(id, { type: 'RecordDepartmentAction', data: { whistleId: body.whistleId, departmentId: body.departmentId, action: body.action } }, meta));
  }
}
