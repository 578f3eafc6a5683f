import { parseStackConfig, StackConfig } from "../../../components/config";
import { baseConfig } from "../../helpers";

/** The fixture's `ai-infra:gateway`, to extend in a test. */
export const GATEWAY: Record<string, unknown> = {
    tiers: { production: { hostname: "ai.example.com" }, batch: { hostname: "batch.ai.example.com" } },
    tls: { certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0b0b0b0b-1111-2222-3333-444444444444" },
    backends: [
        { name: "bedrock", provider: "aws-bedrock", models: ["llama", "claude"] },
        { name: "llama-spot", provider: "in-cluster", models: ["llama"], nodeGroup: "research-spot", service: { name: "vllm", namespace: "ml-research", port: 8000 } },
        { name: "llama-ondemand", provider: "in-cluster", models: ["llama"], nodeGroup: "search-ondemand", service: { name: "vllm", namespace: "search", port: 8000 } },
        { name: "openai", provider: "openai", models: ["gpt-4o-mini"], credentialsSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:openai-AbCdEf" },
    ],
};

/** A prod-like config: a production and a batch team, on-demand and spot GPUs, Bedrock and OpenAI. */
export function gatewayStack(overrides: Record<string, unknown> = {}): StackConfig {
    return parseStackConfig(baseConfig({
        "ai-infra:teams": {
            search: { costCenter: "CC-2", owner: "search@example.com", monthlyBudgetUsd: 4000, gateway: { tier: "production", requestsPerMinute: 600, tokensPerMinute: 200000 } },
            "ml-research": { costCenter: "CC-1", owner: "ml@example.com", monthlyBudgetUsd: 3000, gateway: { tier: "batch", requestsPerMinute: 300, tokensPerMinute: 100000 } },
            finance: { costCenter: "CC-3", owner: "fin@example.com", monthlyBudgetUsd: 500 },
        },
        "ai-infra:nodeGroups": {
            "search-ondemand": { team: "search", capacity: "on-demand", instanceTypes: ["g6.2xlarge"], minSize: 1, maxSize: 2, desiredSize: 1 },
            "research-spot": { team: "ml-research", capacity: "spot", instanceTypes: ["g6.xlarge", "g5.xlarge"], minSize: 0, maxSize: 2, desiredSize: 0 },
        },
        "ai-infra:gateway": GATEWAY,
        ...overrides,
    }));
}
