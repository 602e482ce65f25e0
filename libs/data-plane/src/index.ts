// The gateway's data plane: serves the route table (docs/adr/0009-route-table-data-plane.md).
export { DataPlaneModule } from './data-plane.module';
