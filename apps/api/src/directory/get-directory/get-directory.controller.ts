import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.guard';
import { DirectoryAnswer, GetDirectoryQuery } from './get-directory.query';

@ApiTags('directory') @ApiBearerAuth()
@Controller('directory')
export class GetDirectoryController {
  constructor(private readonly queryBus: QueryBus) {}

  /** The organisation tree (district → street → community → grid → compound), companies, departments, categories. */
  @Access('directory')
  @Get()
  get(): Promise<DirectoryAnswer> {
    return this.queryBus.execute(new GetDirectoryQuery());
  }
}
