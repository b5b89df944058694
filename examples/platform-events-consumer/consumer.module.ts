import { Module } from '@nestjs/common';
import { PlatformEventsController } from './platform-events.controller';
import { ProcessedEvents } from './processed-events';

@Module({
  controllers: [PlatformEventsController],
  providers: [{ provide: ProcessedEvents, useFactory: () => new ProcessedEvents() }],
})
export class ConsumerModule {}
