export {
  ConnectorSettingsInput,
  CreateConnectorBody,
  DEFAULT_SCOPES,
  PROVIDERS,
} from "./connector-settings.ts";
export {
  type Connector,
  connectorView,
  createConnector,
  findConnector,
  listConnectorsOf,
  providerOf,
  requireConnector,
  updateConnector,
} from "./connectors.ts";
export { connectorRoutes } from "./routes.ts";
