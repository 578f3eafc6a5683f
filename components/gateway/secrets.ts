import { Namespace } from "kubernetes-models/v1/Namespace";
import { Secret } from "kubernetes-models/v1/Secret";
import { keysSecretName } from "./quotas";
import { providerKeySecretName } from "./backends";
import type { Tier } from "../config";
import { K8sObject, ObjectMeta } from "./types";

/**
 * Core objects are built with kubernetes-models, whose schemas reject a malformed object here rather than
 * at apply time. Secret values only ever arrive as Pulumi secrets from the component.
 */

export function renderNamespace(name: string, labels: Record<string, string>): K8sObject {
    const ns = new Namespace({ metadata: { name, labels } });
    ns.validate();
    return ns.toJSON() as K8sObject;
}

/** The API keys of a tier's teams, one entry per team id: what the SecurityPolicy matches keys against. */
export function renderKeysSecret(tier: Tier, meta: ObjectMeta, keysByTeam: Record<string, string>): K8sObject {
    const secret = new Secret({ metadata: { name: keysSecretName(tier), namespace: meta.namespace, labels: meta.labels }, type: "Opaque", stringData: keysByTeam });
    secret.validate();
    return secret.toJSON() as K8sObject;
}

/** An upstream provider's API key (key `apiKey`), as the BackendSecurityPolicy reads it. */
export function renderProviderKeySecret(backend: string, meta: ObjectMeta, apiKey: string): K8sObject {
    const secret = new Secret({ metadata: { name: providerKeySecretName(backend), namespace: meta.namespace, labels: meta.labels }, type: "Opaque", stringData: { apiKey } });
    secret.validate();
    return secret.toJSON() as K8sObject;
}
