import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { ModelsModule } from '../models/models.module';
import { StatusController } from './status.controller';
import { StatusService } from './status.service';

/** One view of the whole system's health, for the UI's status page. */
@Module({
  imports: [ChatModule, ModelsModule],
  controllers: [StatusController],
  providers: [StatusService],
})
export class StatusModule {}
