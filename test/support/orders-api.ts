/** The API most e2e configs serve: `orders` of team shop at /orders, one published version v1. */
import type { Access, Api, Route } from "../../src/config/sections/apis.ts";

export function ordersV1(access: Access, routes: Route[]): Api {
  return { name: "orders", owner: "shop", basePath: "/orders", versions: { v1: { state: "published", access, routes } } };
}
