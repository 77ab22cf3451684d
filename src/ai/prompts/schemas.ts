/**
 * The JSON Schemas of prompt APIs (draft 2020-12, ajv in strict mode with the standard formats):
 * compiled at compile time to report mistakes with their place, and once per config by the
 * processor, which then checks every request body and answer against them.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** One schema error as callers see it: where in their JSON (a JSON pointer, "" for the whole), and what is wrong. */
export interface SchemaError {
  readonly path: string;
  readonly message: string;
}

/** A fresh validator instance: schemas of one config never see another config's. */
export function promptAjv(): Ajv2020 {
  return addFormats(new Ajv2020({ allErrors: true, strict: true }));
}

/** The compiled schema, or what ajv says is wrong with it. */
export function compileSchema(ajv: Ajv2020, schema: Readonly<Record<string, unknown>>): ValidateFunction | { readonly problem: string } {
  try {
    return ajv.compile(schema);
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

/**
 * The input schema as enforced: closed at the top level (fields it does not declare are refused)
 * unless it says itself what other fields may be.
 */
export function closedInput(schema: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const open = ["additionalProperties", "unevaluatedProperties", "patternProperties"].some((key) => key in schema);
  return open ? schema : { ...schema, additionalProperties: false };
}

/** ajv's errors, one per problem, with the field named where ajv puts it in params. */
export function schemaErrors(errors: readonly ErrorObject[] | null | undefined): SchemaError[] {
  return (errors ?? []).map((error) => {
    const params = error.params as Record<string, unknown>;
    const extra = typeof params["additionalProperty"] === "string" ? `: ${params["additionalProperty"]}` : typeof params["missingProperty"] === "string" ? `: ${params["missingProperty"]}` : "";
    return { path: error.instancePath, message: `${error.message ?? "is not valid"}${extra}` };
  });
}
