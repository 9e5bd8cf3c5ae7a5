import { Module } from '@nestjs/common';
import { StatusController } from './status.controller';
import { StatusService } from './status.service';

/**
 * One view of the whole system's health, for the UI's status page. The gateway's own checks
 * come from the (global) HealthModule's ReadinessReport.
 */
@Module({
  controllers: [StatusController],
  providers: [StatusService],
})
export class StatusModule {}
