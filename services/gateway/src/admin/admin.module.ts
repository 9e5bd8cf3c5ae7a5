import { Module } from '@nestjs/common';
import { DeadLettersController } from './dead-letters.controller';
import { DeadLettersService } from './dead-letters.service';
import { UsersController } from './users.controller';

/** Routes for admins (role `admin` in the token): users, the dead-letter topic and its redrive. */
@Module({
  controllers: [DeadLettersController, UsersController],
  providers: [DeadLettersService],
})
export class AdminModule {}
