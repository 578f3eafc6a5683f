export * from "./alarms";
export * from "./dashboard";
export * from "./monitoring";
export * from "./modelMetering";
