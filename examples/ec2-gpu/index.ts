import * as aws from "@pulumi/aws";

// Two training boxes declared as bare EC2 instances: a p4d.24xlarge (8 x A100) and a g5.xlarge.
const tags = { team: "research", "cost-center": "CC-3001", environment: "dev", owner: "research@example.com", "managed-by": "pulumi" };
const ami = aws.ec2.getAmiOutput({ owners: ["amazon"], mostRecent: true, filters: [{ name: "name", values: ["Deep Learning Base OSS Nvidia Driver GPU AMI (Amazon Linux 2023)*"] }] });

for (const [name, instanceType] of [["trainer", "p4d.24xlarge"], ["notebook", "g5.xlarge"]]) {
    new aws.ec2.Instance(name, {
        ami: ami.id,
        instanceType,
        metadataOptions: { httpTokens: "required" },
        rootBlockDevice: { volumeSize: 200, volumeType: "gp3" },
        tags,
    });
}
