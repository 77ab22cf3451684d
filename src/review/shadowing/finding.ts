/** A finding of the override and shadowing report: a warning with a code of PCL4090–PCL4099, placed by config path. */
import type { ModelPath } from "../../config/locate.ts";
import type { CompileCode } from "../../model/codes.ts";

export interface ShadowingFinding {
  readonly code: Extract<CompileCode, "PCL4090" | "PCL4091" | "PCL4092">;
  readonly message: string;
  readonly hint: string;
  readonly path: ModelPath;
}
