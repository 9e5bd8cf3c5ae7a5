import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'shoshizan:isPublic';

/** Marks a route that needs no authentication (health, docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
