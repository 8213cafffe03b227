import { Module } from '@nestjs/common';
import { AuditUnmasksController } from './audit-unmasks.controller';

@Module({ controllers: [AuditUnmasksController] })
export class AuditUnmasksModule {}
