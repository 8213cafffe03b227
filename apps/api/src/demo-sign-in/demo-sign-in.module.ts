import { Module } from '@nestjs/common';
import { DemoSignInController } from './demo-sign-in.controller';

@Module({ controllers: [DemoSignInController] })
export class DemoSignInModule {}
