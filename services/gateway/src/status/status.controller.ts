import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { SystemStatus } from '@shoshizan/shared-interfaces';
import { ApiProblems } from '../docs/api-problems';
import { schemaRef } from '../docs/api-schemas';
import { StatusService } from './status.service';

@ApiTags('status')
@ApiBearerAuth()
@ApiProblems([401])
@Controller('v1/status')
export class StatusController {
  constructor(private readonly status: StatusService) {}

  @Get()
  @ApiOperation({
    summary: 'The health of every service and of what each depends on',
    description:
      "The gateway's own checks, and the readiness of kafka-producer, kafka-consumer and gpt-api with their " +
      'dependencies. Always 200: the states say what is down.',
  })
  @ApiResponse({ status: 200, description: 'Each service, up or down.', schema: schemaRef('SystemStatus') })
  get(): Promise<SystemStatus> {
    return this.status.status();
  }
}
