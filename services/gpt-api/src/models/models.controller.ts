import { Controller, Get } from '@nestjs/common';
import type { ModelCatalog } from '@shoshizan/shared-interfaces';
import { ModelsService } from './models.service';

@Controller('v1/models')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @Get()
  list(): Promise<ModelCatalog> {
    return this.models.catalog();
  }
}
