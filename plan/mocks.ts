import * as pulumi from "@pulumi/pulumi";

/**
 * Plausible answers for what a real deployment would learn from AWS: invokes (zones, region, caller,
 * an existing cluster) and the outputs providers compute (ARNs, ids, endpoints). For this project an
 * invoke without an answer here fails the plan loudly rather than feeding the program a guess; a foreign
 * program (`--program`) gets `genericInvoke`'s plausible answer instead, and the report says so.
 */

export const MOCK_ACCOUNT_ID = "123456789012";

export interface MockContext {
    region: string;
}

type InvokeMock = (inputs: Record<string, unknown>, ctx: MockContext) => Record<string, unknown>;

function clusterLookup(inputs: Record<string, unknown>, ctx: MockContext): Record<string, unknown> {
    const name = String(inputs.name);
    return {
        id: name,
        name,
        arn: `arn:aws:eks:${ctx.region}:${MOCK_ACCOUNT_ID}:cluster/${name}`,
        endpoint: `https://${name}.gr7.${ctx.region}.eks.amazonaws.com`,
        version: "1.33",
        status: "ACTIVE",
        certificateAuthorities: [{ data: Buffer.from(`mock-ca-${name}`).toString("base64") }],
        identities: [{ oidcs: [{ issuer: `https://oidc.eks.${ctx.region}.amazonaws.com/id/MOCK${name.toUpperCase()}` }] }],
        vpcConfig: {
            vpcId: "vpc-0mock",
            subnetIds: ["subnet-0mocka", "subnet-0mockb"],
            clusterSecurityGroupId: "sg-0mockcluster",
            securityGroupIds: [],
            endpointPrivateAccess: true,
            endpointPublicAccess: false,
            publicAccessCidrs: [],
        },
        tags: {},
    };
}

export const INVOKE_MOCKS: Readonly<Record<string, InvokeMock>> = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": (_i, ctx) => ({
        id: ctx.region,
        names: ["a", "b", "c", "d"].map((z) => `${ctx.region}${z}`),
        zoneIds: [1, 2, 3, 4].map((n) => `use1-az${n}`),
    }),
    "aws:index/getRegion:getRegion": (_i, ctx) => ({ id: ctx.region, name: ctx.region, region: ctx.region, endpoint: `ec2.${ctx.region}.amazonaws.com` }),
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
        id: MOCK_ACCOUNT_ID, accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/plan`, userId: "AROAMOCK:plan",
    }),
    "aws:index/getPartition:getPartition": () => ({ id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" }),
    "aws:eks/getCluster:getCluster": clusterLookup,
    // Lookups foreign programs commonly make before declaring instances and node groups.
    "aws:ec2/getAmi:getAmi": (_i, ctx) => ({ id: "ami-0mock", imageId: "ami-0mock", architecture: "x86_64", name: "mock-ami", arn: `arn:aws:ec2:${ctx.region}::image/ami-0mock` }),
    "aws:ssm/getParameter:getParameter": (inputs) => ({ id: String(inputs.name), name: String(inputs.name), type: "String", value: "ami-0mock", version: 1, arn: `arn:aws:ssm:::parameter/${String(inputs.name)}` }),
    "aws:ec2/getVpc:getVpc": (_i, ctx) => ({ id: "vpc-0mock", cidrBlock: "10.0.0.0/16", arn: `arn:aws:ec2:${ctx.region}:${MOCK_ACCOUNT_ID}:vpc/vpc-0mock`, default: true }),
    "aws:ec2/getSubnets:getSubnets": () => ({ id: "subnets", ids: ["subnet-0mocka", "subnet-0mockb"] }),
    // The plan never reads a real secret: a provider key is a placeholder, shown as [secret] in reports.
    "aws:secretsmanager/getSecretVersion:getSecretVersion": (inputs) => ({
        id: String(inputs.secretId), arn: String(inputs.secretId), secretId: String(inputs.secretId),
        secretString: "plan-placeholder-provider-key", versionId: "mock-version", versionStages: ["AWSCURRENT"],
    }),
};

/** Outputs a provider would compute for a new resource, beyond echoing its inputs. */
export function computedOutputs(type: string, name: string, inputs: Record<string, unknown>, ctx: MockContext): Record<string, unknown> {
    const [pkg, mod] = type.split(":");
    const service = (mod ?? "").split("/")[0];
    const physicalName = typeof inputs.name === "string" ? inputs.name : `${name}-mock`;
    const base: Record<string, unknown> = pkg === "aws"
        ? { arn: `arn:aws:${service}:${ctx.region}:${MOCK_ACCOUNT_ID}:${service}/${physicalName}`, name: physicalName }
        : {};
    switch (type) {
        case "aws:iam/role:Role":
            return { ...base, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${physicalName}` };
        case "aws:kms/key:Key":
            return { ...base, keyId: `${name}-key-id` };
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { ...base, latestVersion: 1, defaultVersion: 1 };
        case "aws:eks/cluster:Cluster":
            return {
                ...base,
                endpoint: `https://${physicalName}.gr7.${ctx.region}.eks.amazonaws.com`,
                certificateAuthority: { data: Buffer.from(`mock-ca-${physicalName}`).toString("base64") },
                identities: [{ oidcs: [{ issuer: `https://oidc.eks.${ctx.region}.amazonaws.com/id/MOCK` }] }],
                vpcConfig: { ...(inputs.vpcConfig as object), clusterSecurityGroupId: `sg-${name}-cluster`, vpcId: "vpc-0mock" },
            };
        case "aws:eks/nodeGroup:NodeGroup":
            return {
                ...base,
                nodeGroupName: inputs.nodeGroupName ?? name,
                resources: [{ autoscalingGroups: [{ name: `eks-${String(inputs.nodeGroupName ?? name)}-mock` }], remoteAccessSecurityGroupId: "" }],
            };
        case "aws:elasticache/replicationGroup:ReplicationGroup":
            return {
                ...base,
                primaryEndpointAddress: `master.${name}.mock.use1.cache.amazonaws.com`,
                configurationEndpointAddress: `clustercfg.${name}.mock.use1.cache.amazonaws.com`,
                memberClusters: Array.from({ length: Number(inputs.numCacheClusters ?? 1) }, (_, i) => `${name}-00${i + 1}`),
            };
        case "random:index/randomPassword:RandomPassword":
            return { result: `plan-mock-password-${name}` };
        default:
            return base;
    }
}

/**
 * A plausible answer for any invoke: its inputs echoed, with an id, a name, an ARN and the list fields
 * lookups commonly return (`ids`, `names`). Enough for a program to keep declaring resources; values
 * derived from it are placeholders, which is why the report names every invoke answered this way.
 */
export function genericInvoke(token: string, inputs: Record<string, unknown>, ctx: MockContext): Record<string, unknown> {
    const [pkg, mod] = token.split(":");
    const fn = token.split(":").pop() ?? "lookup";
    const service = (mod ?? "").split("/")[0];
    const name = typeof inputs.name === "string" ? inputs.name : `${fn}-mock`;
    return {
        ...inputs,
        id: typeof inputs.id === "string" ? inputs.id : `${fn}-mock-id`,
        name,
        ...(pkg === "aws" ? { arn: `arn:aws:${service}:${ctx.region}:${MOCK_ACCOUNT_ID}:${service}/${name}` } : {}),
        ids: [`${fn}-mock-a`, `${fn}-mock-b`],
        names: [`${fn}-mock-a`, `${fn}-mock-b`],
        tags: {},
    };
}

export function invokeMock(token: string, inputs: Record<string, unknown>, ctx: MockContext): Record<string, unknown> {
    const mock = INVOKE_MOCKS[token];
    if (!mock) throw new pulumi.RunError(`the offline plan has no answer for invoke ${token}: add one to plan/mocks.ts`);
    return mock(inputs, ctx);
}
