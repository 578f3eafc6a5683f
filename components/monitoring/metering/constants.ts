/** The metering's names, kept apart from meter.ts so the program can use them without loading the AWS SDK. */

/** Where the collector's EMF puts the AI Gateway's token histogram, and its team dimension. */
export const TOKENS_NAMESPACE = "AiInfra/Gateway";
export const TOKENS_METRIC = "gen_ai_client_token_usage";
export const TEAM_DIMENSION = "team";
/** What the metering Lambda publishes. */
export const SPEND_NAMESPACE = "AiInfra/ModelSpend";
