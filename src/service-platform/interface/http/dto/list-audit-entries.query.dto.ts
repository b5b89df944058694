import { PageQueryDto } from './page.query.dto';

/** `GET /platforms/{id}/audit` query: only paging. */
export class ListAuditEntriesQueryDto extends PageQueryDto {}
