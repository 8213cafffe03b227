import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Category, OrgUnit } from '@civicloop/domain';
import { Directory } from '@civicloop/directory';

export class GetDirectoryQuery {}

export interface DirectoryAnswer {
  version: string;
  units: OrgUnit[];
  categories: Category[];
}

@QueryHandler(GetDirectoryQuery)
export class GetDirectoryHandler implements IQueryHandler<GetDirectoryQuery, DirectoryAnswer> {
  constructor(private readonly directory: Directory) {}

  async execute(): Promise<DirectoryAnswer> {
    const { version, units, categories } = this.directory.data;
    return { version, units, categories };
  }
}
