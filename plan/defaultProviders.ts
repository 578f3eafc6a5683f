import { PolicyProviderResource } from "@pulumi/policy";
import type { RecordedResource } from "./mockRuntime";

/**
 * The providers the engine creates for resources that name none. The mock runtime registers no default
 * provider, but the engine does, with the stack's `<package>:<key>` config as its inputs (strings, objects
 * JSON-encoded): that is how a policy sees `aws:region` and `aws:defaultTags` through `args.provider`
 * (@pulumi/policy server.js:275-278 for resource policies, :371-373 for stack policies).
 */
export function defaultProviders(resources: readonly RecordedResource[], config: Readonly<Record<string, string>>, project: string, stack: string, region: string): Map<string, PolicyProviderResource> {
    const packages = new Set(resources.filter((r) => r.custom && !r.provider && !r.type.startsWith("pulumi:")).map((r) => r.type.split(":")[0]));
    const out = new Map<string, PolicyProviderResource>();
    for (const pkg of packages) {
        const props: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(config)) if (key.startsWith(`${pkg}:`)) props[key.slice(pkg.length + 1)] = value;
        if (pkg === "aws" && props.region === undefined) props.region = region;
        out.set(pkg, { type: `pulumi:providers:${pkg}`, props, urn: `urn:pulumi:${stack}::${project}::pulumi:providers:${pkg}::default`, name: "default" });
    }
    return out;
}

/** A recorded resource's provider as a policy sees it: its explicit provider, else the package's default provider. */
export function providerFor(r: RecordedResource, byUrn: ReadonlyMap<string, RecordedResource>, defaults: ReadonlyMap<string, PolicyProviderResource>): PolicyProviderResource | undefined {
    // The provider reference is `<urn>::<id>`.
    const urn = r.provider?.split("::").slice(0, -1).join("::");
    const p = urn ? byUrn.get(urn) : undefined;
    if (p) return { type: p.type, props: p.inputs, urn: p.urn, name: p.name };
    return r.custom && !r.type.startsWith("pulumi:") ? defaults.get(r.type.split(":")[0]) : undefined;
}
