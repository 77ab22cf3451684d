export { defineGateway, env, file } from "./config/define.ts";
export type * from "./config/types.ts";
