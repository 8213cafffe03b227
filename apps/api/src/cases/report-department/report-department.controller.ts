import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CommandContext } from '@civicloop/cases';
import { CommandMeta } from '../../common/command-context.decorator';
import { CommandAnswer, ExecuteCaseCommand } from '@civicloop/cases';
import { ReportDepartmentDto } from './report-department.dto';
import { Access } from '../../auth/access.guard';

@ApiTags('cases') @ApiBearerAuth()
@Controller('cases')
export class ReportDepartmentController {
  constructor(private readonly commandBus: CommandBus) {}

  /** A whistled department reports (报到). */
  @Access('department-report')
  @Post(':id/department-report') @HttpCode(200)
  departmentReport(@Param('id') id: string, @Body() body: ReportDepartmentDto, @CommandMeta() meta: CommandContext): Promise<CommandAnswer> {
    return this.commandBus.execute(new ExecuteCaseCommand(id, { type: 'ReportDepartment', data: { whistleId: body.whistleId, departmentId: body.departmentId } }, meta));
  }
}
