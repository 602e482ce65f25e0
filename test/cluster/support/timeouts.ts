// Cluster tests wait for real controllers (rollouts, HPA windows, Skaffold builds): minutes, not the
// two of the other projects. jest reads testTimeout only globally, so the cluster project sets it here.
jest.setTimeout(1_200_000);
