import { Projection } from '../projection';
import { boardProjection } from './board.projection';
import { chainProjection } from './chain.projection';
import { statsProjection } from './stats.projection';

export * from './board.projection';
export * from './chain.projection';
export * from './stats.projection';

export const ALL_PROJECTIONS: Projection[] = [boardProjection as Projection, statsProjection as Projection, chainProjection as Projection];
