/**
 * src/grpc/preframed.ts relies on a grpc-js internal, so it must notice when a stream does not
 * work as it expects (here: a server interceptor wraps the call) and leave framing to grpc-js.
 * Both ways, the client must decode exactly the message written. Real grpc-js server and client.
 */
import { credentials, makeGenericClientConstructor, Server, ServerCredentials, ServerInterceptingCall, type ClientDuplexStream, type ServerDuplexStream, type ServerInterceptor } from "@grpc/grpc-js";
import { afterEach, expect, it } from "vitest";
import { writesFrames } from "../../src/grpc/preframed.ts";

const passThrough = (bytes: Buffer) => bytes;
const definition = {
  Echo: { path: "/test.Preframed/Echo", requestStream: true, responseStream: true, requestSerialize: passThrough, requestDeserialize: passThrough, responseSerialize: passThrough, responseDeserialize: passThrough },
};
const message = Buffer.from("a response built once");
const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, message.length]), message]);

let server: Server | undefined;
afterEach(() => server?.forceShutdown());

/** Starts a server whose one stream writes `message` (framed if it can), and returns what the client read and whether it was framed. */
async function roundTrip(interceptors: ServerInterceptor[]): Promise<{ framed: boolean; received: Buffer }> {
  let framed = false;
  server = new Server({ interceptors });
  server.addService(definition, {
    Echo: (call: ServerDuplexStream<Buffer, Buffer>) => {
      framed = writesFrames(call);
      call.write(framed ? frame : message);
      call.end();
    },
  });
  const port = await new Promise<number>((resolve, reject) => server!.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
  const Client = makeGenericClientConstructor(definition, "Preframed");
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  const call = (client as unknown as { Echo: () => ClientDuplexStream<Buffer, Buffer> }).Echo();
  const received = await new Promise<Buffer>((resolve, reject) => {
    call.once("data", resolve);
    call.once("error", reject);
  });
  call.end();
  client.close();
  return { framed, received };
}

it("passes a frame through a plain grpc-js stream", async () => {
  expect(await roundTrip([])).toEqual({ framed: true, received: message });
});

it("falls back to grpc-js's framing when an interceptor wraps the call", async () => {
  const wrap: ServerInterceptor = (_method, call) => new ServerInterceptingCall(call);
  expect(await roundTrip([wrap])).toEqual({ framed: false, received: message });
});
