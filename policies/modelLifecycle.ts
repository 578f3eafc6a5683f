import { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { ModelLifecycle, modelLifecycle } from "../components/modelLifecycle";
import { MODEL_PRICES, MODEL_PRICES_AS_OF } from "../components/modelPrices";
import { elements, peek } from "../components/tagResolution";
import { AS_OF_SETTING, daysSetting, describeResource, judgedDay } from "./common";

/** AI Gateway routes: any apiVersion of the CRD (the bundled stacks render v1beta1). */
const ROUTE_TYPE = /^kubernetes:aigateway\.envoyproxy\.io\/v1[a-z0-9]*:AIGatewayRoute$/;
/** The header AI Gateway matches the request's model on (api/v1beta1 ai_gateway_route.go, AIModelHeaderKey). */
export const MODEL_HEADER = "x-ai-eg-model";
export const DEFAULT_NOTICE_DAYS = 90;

/**
 * Every model a route sends to a backend: the model header matches, and any per-backend override. Read
 * with the unknown-safe readers: in a first preview any of these values may be unknown, and a value not
 * known yet is not a model (it is judged once known, at `pulumi up`).
 */
export function routedModels(spec: unknown): string[] {
    const models = new Set<string>();
    for (const rule of elements(peek(spec, "rules"))) {
        for (const match of elements(peek(rule, "matches"))) {
            for (const h of elements(peek(match, "headers"))) {
                const name = peek(h, "name");
                const value = peek(h, "value");
                // A RegularExpression match names no model (Gateway API HTTPHeaderMatch type; absent means Exact).
                const exact = peek(h, "type") === undefined || peek(h, "type") === "Exact";
                if (typeof name === "string" && name.toLowerCase() === MODEL_HEADER && typeof value === "string" && exact) models.add(value);
            }
        }
        for (const ref of elements(peek(rule, "backendRefs"))) {
            const override = peek(ref, "modelNameOverride");
            if (typeof override === "string") models.add(override);
        }
    }
    return [...models];
}

/**
 * A model id's phase under any provider of the table (ids do not collide across providers). A route is
 * judged by the ids it matches, not by the backends behind it: an in-cluster server that uses a retired
 * provider id as its served name is flagged too (the usual reason to share the id is a provider fallback,
 * and that fallback fails).
 */
function lifecycle(model: string, on: Date): ModelLifecycle {
    for (const provider of Object.keys(MODEL_PRICES)) {
        const life = modelLifecycle(provider, model, on);
        if (life.phase !== "served") return life;
    }
    return { phase: "served" };
}

interface LifecycleConfig { noticeDays?: unknown; asOf?: unknown }

function routes(args: ResourceValidationArgs): string[] {
    return ROUTE_TYPE.test(args.type) ? routedModels(peek(args.props, "spec")) : [];
}

/**
 * A gateway route to a model its provider no longer serves is well-formed and fails every request (Bedrock:
 * ResourceNotFoundException "This model version has reached the end of its life"). End-of-life dates come
 * from components/modelPrices.ts; a model the table does not know is not judged here (it is reported as
 * unpriced by the cost policies).
 */
export const modelEndOfLife: ResourceValidationPolicy = {
    name: "model-end-of-life",
    description: "AI Gateway routes send no request to a model past its provider's end of life.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { asOf: AS_OF_SETTING } },
    validateResource: (args, report) => {
        const models = routes(args);
        if (models.length === 0) return;
        const day = judgedDay(args.getConfig<LifecycleConfig>().asOf, "model-end-of-life", report);
        if (!day) return;
        for (const model of models) {
            const life = lifecycle(model, day);
            if (life.phase === "retired") {
                report(`${describeResource(args)} routes model ${model}, which its provider stopped serving after ${life.endOfLife} (${life.source ?? `components/modelPrices.ts, as of ${MODEL_PRICES_AS_OF}`}): every request to it fails`);
            }
        }
    },
};

/** A routed model with an announced end of life within `noticeDays`: migrate before requests start failing. */
export const modelRetirementNotice: ResourceValidationPolicy = {
    name: "model-retirement-notice",
    description: "AI Gateway routes to a model whose end of life is announced within noticeDays are flagged.",
    enforcementLevel: "advisory",
    configSchema: {
        properties: {
            noticeDays: { type: "integer", minimum: 0, maximum: 730, default: DEFAULT_NOTICE_DAYS, description: "Flag a model this many days before its end of life." },
            asOf: AS_OF_SETTING,
        },
    },
    validateResource: (args, report) => {
        const models = routes(args);
        if (models.length === 0) return;
        const cfg = args.getConfig<LifecycleConfig>();
        const noticeDays = daysSetting(cfg.noticeDays, DEFAULT_NOTICE_DAYS);
        const day = judgedDay(cfg.asOf, "model-retirement-notice", report);
        if (!day) return;
        for (const model of models) {
            const life = lifecycle(model, day);
            if (life.phase === "retiring" && life.days <= noticeDays) {
                report(`${describeResource(args)} routes model ${model}, whose provider stops serving it after ${life.endOfLife}, ${life.days} days from ${day.toISOString().slice(0, 10)} (notice at ${noticeDays}; ${life.source ?? "components/modelPrices.ts"}): move its clients to a successor`);
            }
        }
    },
};
