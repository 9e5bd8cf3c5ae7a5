import { Module } from '@nestjs/common';
import { DeadLettersController } from './dead-letters.controller';
import { DeadLettersService } from './dead-letters.service';
import { QuarantineController } from './quarantine.controller';
import { QuarantineService } from './quarantine.service';
import { UsersController } from './users.controller';

/** Routes for admins (role `admin` in the token): users, the dead-letter topic and its redrive, the quarantine topic. */
@Module({
  controllers: [DeadLettersController, QuarantineController, UsersController],
  providers: [DeadLettersService, QuarantineService],
})
export class AdminModule {}
