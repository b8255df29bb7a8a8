import type { ApiResponse } from './http';
import type { ReplayStore } from './request-replay';
import type { RouteTemplate } from './router';
import type { ServerDeps } from './server-deps';

export interface ControlContext {
  deps: ServerDeps;
  /** The request body as JSON (`{}` when empty). */
  body(): unknown;
  params: Record<string, string>;
  replay: ReplayStore;
}

export interface ControlRoute extends RouteTemplate {
  handle(ctx: ControlContext): ApiResponse | Promise<ApiResponse>;
}
