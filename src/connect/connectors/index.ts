export {
  ConnectorSettingsInput,
  CreateConnectorBody,
  DEFAULT_SCOPES,
  PROVIDERS,
} from "./connector-settings.ts";
export {
  type Connector,
  connectorSecretContext,
  connectorView,
  createConnector,
  findConnector,
  listConnectorsOf,
  providerOf,
  requireConnector,
  updateConnector,
} from "./connectors.ts";
export { connectorRoutes } from "./routes.ts";
