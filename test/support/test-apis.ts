/** APIs the e2e configs serve, each with one published version v1. */
import type { Access, Api, ApiVersion, Route } from "../../src/config/sections/apis.ts";

/** An API whose only version is v1, published. */
export function publishedV1(api: Pick<Api, "name" | "owner" | "basePath">, version: Omit<ApiVersion, "state">): Api {
  return { ...api, versions: { v1: { state: "published", ...version } } };
}

/** `orders` of team shop at /orders: the API most e2e configs serve. */
export function ordersV1(access: Access, routes: Route[]): Api {
  return publishedV1({ name: "orders", owner: "shop", basePath: "/orders" }, { access, routes });
}

/** A GET route at /NAME to provider `shop`, with its own access. */
const shopRoute = (name: string, access: Access): Route => ({ name, match: { path: `/${name}`, methods: ["GET"] }, provider: "shop", access });

/**
 * `shop` of team platform at /shop, as the identity tests call it: /staff for JWT identity `staff`
 * with scope shop.read or mTLS identity `mesh`, /partners for API-key identity `partners`, `extra`
 * routes (name → access), and a public /public.
 */
export function shopIdentityApi(publicReason: string, extra: Readonly<Record<string, Access>> = {}): Api {
  return publishedV1(
    { name: "shop", owner: "platform", basePath: "/shop" },
    {
      routes: [
        shopRoute("staff", { allow: [{ identity: "staff", scopes: ["shop.read"] }, { identity: "mesh" }] }),
        shopRoute("partners", { allow: [{ identity: "partners" }] }),
        ...Object.entries(extra).map(([name, access]) => shopRoute(name, access)),
        shopRoute("public", { public: { reason: publicReason } }),
      ],
    },
  );
}
