import { RecentlyUsed } from "../../recently-used.ts";
import type { Diagnostic } from "../diagnostics.ts";
import { finding } from "../finding.ts";
import type { ModelPath } from "../locate.ts";
import type { Check, CheckContext } from "./context.ts";
import { versions } from "./walk.ts";

/** Lifecycle dates must be real dates, agree with each other and with the version's state. */
export const checkLifecycle: Check = (config, context) => {
  const out: Diagnostic[] = [];
  for (const { api, version, versionName, path } of versions(config)) {
    const sunsetOk = validDate(version.sunset, path, "sunset", context, out);
    const deprecatedOk = validDate(version.deprecatedOn, path, "deprecatedOn", context, out);
    const label = `${api.name} ${versionName}`;
    if (version.state === "published" && sunsetOk && version.sunset! < context.today) {
      out.push(finding(context.place, "PCL3013", `${label} is published but its sunset ${version.sunset} has passed`, [...path, "sunset"], {
        hint: "set state: retired (it answers 410 Gone), or move the sunset date forward",
      }));
    }
    if (version.state === "retired" && version.successor === undefined && version.sunset === undefined) {
      out.push(finding(context.place, "PCL3014", `${label} is retired but names neither a successor nor a sunset date`, [...path, "state"], {
        hint: "add successor: <version> so clients learn where to go, or the sunset date it ended",
      }));
    }
    if (version.state === "deprecated" && version.sunset === undefined) {
      out.push(finding(context.place, "PCL3015", `${label} is deprecated without a sunset date`, [...path, "state"], {
        hint: 'add sunset: "YYYY-MM-DD" so clients see when it stops working (Sunset header)',
      }));
    }
    if (sunsetOk && deprecatedOk && version.deprecatedOn! > version.sunset!) {
      out.push(finding(context.place, "PCL3016", `${label} is deprecated on ${version.deprecatedOn}, after its sunset ${version.sunset}`, [...path, "deprecatedOn"], {
        hint: "a version is deprecated before it sunsets; swap or fix the dates",
      }));
    }
    const successor = version.successor === undefined ? undefined : api.versions[version.successor];
    if (successor && (successor.state === "draft" || successor.state === "retired")) {
      out.push(finding(context.place, "PCL3016", `${label} points clients to successor '${version.successor}', which is ${successor.state}`, [...path, "successor"], {
        hint: "a successor must be published or deprecated so that clients can move to it",
      }));
    }
  }
  for (const [index, waiver] of (config.policy?.waivers ?? []).entries()) {
    validDate(waiver.expires, ["policy", "waivers", index], "expires", context, out);
  }
  return out;
};

/** Which strings are calendar dates: every version's dates are checked on each reload, and few distinct ones are written. */
const calendarDates = new RecentlyUsed<string, boolean>(1024);

function isCalendarDate(value: string): boolean {
  let known = calendarDates.get(value);
  if (known === undefined) {
    const parsed = new Date(`${value}T00:00:00Z`);
    known = !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
    calendarDates.set(value, known);
  }
  return known;
}

function validDate(value: string | undefined, at: ModelPath, field: string, context: CheckContext, out: Diagnostic[]): boolean {
  if (value === undefined) return false;
  if (isCalendarDate(value)) return true;
  out.push(finding(context.place, "PCL3012", `'${value}' is not a calendar date`, [...at, field], { hint: "write a real date as YYYY-MM-DD, e.g. 2026-06-30" }));
  return false;
}
