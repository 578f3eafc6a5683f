/** The stack config namespace: every key is `ai-infra:<name>`. */
export const NAMESPACE = "ai-infra";

/** Lowest Kubernetes minor the AI Gateway supports (its compatibility matrix asks v1.32+). */
export const MIN_KUBERNETES_MINOR = 32;
