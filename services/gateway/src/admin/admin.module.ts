import { Module } from '@nestjs/common';
import { DeadLettersController } from './dead-letters.controller';
import { DeadLettersService } from './dead-letters.service';

/** Routes for admins (role `admin` in the token): the dead-letter topic and its redrive. */
@Module({
  controllers: [DeadLettersController],
  providers: [DeadLettersService],
})
export class AdminModule {}
