/** A Kubernetes object as the renderers produce it: plain data, validated by tests against upstream schemas. */
export interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: Record<string, unknown>;
    [key: string]: unknown;
}

export interface ObjectMeta {
    namespace: string;
    labels: Record<string, string>;
}
