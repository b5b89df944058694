import { startHostApp } from './host-app';

startHostApp({
  grpcUrl: process.env.GRPC_URL ?? '127.0.0.1:5000',
  httpPort: Number(process.env.PORT ?? 3000),
}).then(
  async (app) => console.log(`Host app listening on ${await app.getUrl()}`),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
