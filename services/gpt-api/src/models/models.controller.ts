import { Controller, Get, Query } from '@nestjs/common';
import type { ModelCatalog } from '@shoshizan/shared-interfaces';
import { rolesFromQuery } from './model-catalog';
import { ModelsService } from './models.service';

@Controller('v1/models')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  /** `?roles=a,b`: the caller's roles; a model limited to roles is listed only for them. */
  @Get()
  list(@Query('roles') roles?: string): Promise<ModelCatalog> {
    return this.models.catalog(rolesFromQuery(roles));
  }
}
