// `npm run bench:edi`: the EDI gateway's throughput on the local stack.
//
// 1. 850 intake: X12 purchase orders of 1, 10 and 50 lines, read with node-x12,
//    envelope and segment rules checked, mapped to OrderReceived and published
//    with an EdiDocumentReceived audit event to fresh topics on the real Kafka
//    (Avro through the registry), many documents in flight so requests batch.
//    Then the same documents through the whole service path (InboundProcessor:
//    plus duplicate-ISA13 claim, audit records and order facts in MongoDB, 997
//    built and written to the partner's folder, EdiDocumentSent).
// 2. 856 generation: ShipmentDispatched snapshots (4 packages x 3 items) to a
//    complete ASN interchange, control numbers from the MongoDB block allocator.
// Prints documents/s and the machine; asserts nothing.
//
//   npm run bench:edi -- [--docs 3000] [--inflight 200] [--asns 20000] [--service-docs 1000]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { arch, cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseCliArgs } from '@odx/runtime/cli';
import {
  BatchingPublisher,
  EventProducer,
  EventSerde,
  createKafka,
  createLogger,
  ensureTopics,
  loadRuntimeConfig,
  type OutgoingEvent,
} from '@odx/runtime';
import {
  ControlNumberAllocator,
  Delivery,
  DocumentSender,
  DocumentStore,
  InboundProcessor,
  OrderFactsStore,
  PartnerDirectory,
  SeenInterchanges,
  build856,
  buildInterchange,
  ensurePartnerFolders,
  mapPurchaseOrder,
  readInterchange,
  validate850,
  type PartnerProfile,
} from '@odx/edi-gateway';
import { samplePackage, sampleShipment, sampleShipmentLine } from '@odx/schemas/fixtures';
import { MongoClient } from 'mongodb';
import { X12Parser } from 'node-x12';
import { endpointsEnv, stackUp } from '../stack/index.js';
import { printSummary, type SummaryFigure } from './summary.js';

const { values } = parseCliArgs('bench:edi', "the EDI gateway's throughput on the local stack (850 intake, outbound 855/856/810)", {
  options: {
    docs: { type: 'string', default: '3000' },
    inflight: { type: 'string', default: '200' },
    asns: { type: 'string', default: '20000' },
    'service-docs': { type: 'string', default: '1000' },
  },
});
const DOCS = Number(values.docs);
const INFLIGHT = Number(values.inflight);
const ASNS = Number(values.asns);
const SERVICE_DOCS = Number(values['service-docs']);
/** The headline figures, printed as summary lines at the end. */
const figures: SummaryFigure[] = [];
const target = (rate: number, min: number): string => `target >= ${min}/s: ${rate >= min ? 'met' : 'not met'}`;
const ofLines = (lines: number): string => `${lines} line${lines === 1 ? '' : 's'}`;

const endpoints = await stackUp({ quiet: true });
Object.assign(process.env, endpointsEnv(endpoints));
const cpu = cpus();
console.log(
  `machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${process.platform} ${release()} ${arch()}, node ${process.version}`,
);

const partners = PartnerDirectory.fromDirectory(join(import.meta.dirname, '../../infra/partners'));
const northwind = partners.get('northwind')!;
/** The partner's side of the profile, to write the 850s they would send. */
const asPartner = (p: PartnerProfile): PartnerProfile => ({
  ...p,
  isa: {
    ...p.isa,
    partnerQualifier: p.isa.ourQualifier,
    partnerId: p.isa.ourId,
    ourQualifier: p.isa.partnerQualifier,
    ourId: p.isa.partnerId,
  },
  gs: { partnerId: p.gs.ourId, ourId: p.gs.partnerId },
});
const items = [...northwind.mappings.items.keys()];
const make850 = (n: number, lines: number, run: string): Buffer => {
  const segments: Array<[string, ...string[]]> = [
    ['BEG', '00', 'SA', `B${run}-${n}`, '', '20261120'],
    ['N1', 'ST', 'DC 7', '92', '0007'],
  ];
  for (let i = 1; i <= lines; i++)
    segments.push(
      ['PO1', String(i), String(1 + (i % 7)), 'EA', `${10 + i}.25`, '', 'UP', items[i % 3]!],
      ['PID', 'F', '', '', '', `Item ${i}`],
    );
  segments.push(['CTT', String(lines)]);
  return Buffer.from(
    buildInterchange(asPartner(northwind), { interchange: n, group: n, sets: [1] }, [{ code: '850', segments }], new Date()),
  );
};

const config = loadRuntimeConfig('bench-edi');
const logger = createLogger({ service: 'bench-edi', level: 'error' });
const kafka = createKafka(config.kafka, logger);
const admin = kafka.admin();
await admin.connect();
const id = randomUUID().slice(0, 8);
const topics = { orders: `bench.edi.orders.${id}`, edi: `bench.edi.documents.${id}` };
await ensureTopics(
  admin,
  Object.values(topics).map((name) => ({ name, partitions: 6, replicationFactor: 1, config: { 'retention.ms': '3600000' } })),
);
const serde = new EventSerde({ registryUrl: config.schemaRegistry.url });
const producer = new EventProducer({ kafka, serde, serviceName: 'bench-edi', logger });
await producer.connect();
const publisher = new BatchingPublisher(producer, { maxBatchSize: 1_000, lingerMs: 2 });
const mongo = await new MongoClient(config.mongo.url).connect();
const db = mongo.db(`odx_bench_edi_${id}`);
const folderRoot = mkdtempSync(join(tmpdir(), 'bench-edi-'));

async function pool<T>(items: T[], inflight: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(inflight, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

// Warm up the registry subjects and the partition metadata.
await publisher.publishAll(intake(make850(999_999_999, 1, 'warm'), new Date()));

function intake(bytes: Buffer, at: Date): OutgoingEvent[] {
  const r = readInterchange(bytes, partners, { expectedPartnerId: 'northwind', maxBytes: 5_000_000 });
  if (!r.ok) throw new Error(`bench document rejected: ${r.problems.map((p) => p.message).join('; ')}`);
  const events: OutgoingEvent[] = [];
  for (const g of r.groups)
    for (const s of g.sets) {
      const v = validate850(s.transaction, r.partner);
      if (!v.po) throw new Error(`bench 850 rejected: ${JSON.stringify(v.errors)}`);
      const documentId = `in:${r.partner.id}:${r.isa.controlNumber}:${g.controlNumber}:${s.controlNumber}`;
      const order = mapPurchaseOrder(v.po, { profile: r.partner, documentId, company: 'bench', receivedAt: at });
      events.push({ eventType: 'OrderReceived', key: order.order.orderId, topic: topics.orders, payload: order });
      events.push({
        eventType: 'EdiDocumentReceived',
        key: r.partner.id,
        topic: topics.edi,
        payload: {
          meta: { ...order.meta, eventId: randomUUID() },
          status: 'accepted',
          errors: [],
          ackDocumentId: null,
          document: {
            documentId,
            partnerId: r.partner.id,
            standard: 'X12',
            version: r.partner.version,
            transactionSet: '850',
            senderId: r.isa.senderId.trim(),
            receiverId: r.isa.receiverId.trim(),
            interchangeControlNumber: r.isa.controlNumber,
            groupControlNumber: g.controlNumber,
            transactionControlNumber: s.controlNumber,
            businessObjectType: 'order',
            businessObjectId: order.order.orderId,
            businessRef: v.po.poNumber,
            fileName: null,
            storageUri: `mongodb:edi_documents/${documentId}`,
            sizeBytes: bytes.length,
            sha256: '',
          },
        },
      });
    }
  return events;
}

console.log(
  `\n850 intake (read + envelope/segment rules + map + publish OrderReceived and EdiDocumentReceived to Kafka), ${INFLIGHT} documents in flight:`,
);
for (const lines of [1, 10, 50]) {
  const docs = Array.from({ length: DOCS }, (_, i) => make850(lines * 1_000_000 + i + 1, lines, `${id}${lines}`));
  const bytes = docs.reduce((n, d) => n + d.length, 0);
  const t = performance.now();
  await pool(docs, INFLIGHT, async (d) => void (await publisher.publishAll(intake(d, new Date()))));
  const s = (performance.now() - t) / 1000;
  figures.push({
    figure: `850 intake, ${ofLines(lines)}`,
    value: DOCS / s,
    unit: 'documents/s',
    note: `${DOCS} documents; ${target(DOCS / s, 1_000)}`,
  });
  console.log(
    `  ${String(lines).padStart(2)} lines: ${DOCS} documents (${(bytes / DOCS / 1024).toFixed(1)} KiB each) in ${s.toFixed(2)} s = ${(DOCS / s).toFixed(0)} documents/s (target >= 1,000/s)`,
  );
}

console.log(
  `\n850 through the whole service path (InboundProcessor: + MongoDB dedupe claim, audit records, order facts, 997 written to the folder, EdiDocumentSent), ${Math.min(INFLIGHT, 50)} in flight:`,
);
{
  const documents = new DocumentStore(db);
  await documents.init();
  const controls = new ControlNumberAllocator({ db, owner: 'bench', blockSize: 1_000 });
  await controls.init();
  await ensurePartnerFolders(folderRoot, northwind);
  const sender = new DocumentSender({
    documents,
    controls,
    delivery: new Delivery({ folderRoot, env: {} }),
    publisher,
    company: 'bench',
    ediTopic: topics.edi,
  });
  const processor = new InboundProcessor({
    partners,
    documents,
    seen: new SeenInterchanges(db),
    orderFacts: new OrderFactsStore(db),
    sender,
    publisher,
    logger,
    company: 'bench',
    topics,
    maxBytes: 5_000_000,
  });
  for (const lines of [1, 10, 50]) {
    const docs = Array.from({ length: SERVICE_DOCS }, (_, i) => make850(lines * 1_000_000 + 500_000 + i, lines, `${id}s${lines}`));
    const t = performance.now();
    let rejected = 0;
    await pool(docs, Math.min(INFLIGHT, 50), async (d) => {
      const r = await processor.process(d, { transport: 'folder', fileName: null, expectedPartnerId: 'northwind' });
      if (r.status !== 'accepted') rejected++;
    });
    const s = (performance.now() - t) / 1000;
    figures.push({
      figure: `850 service path, ${ofLines(lines)}`,
      value: SERVICE_DOCS / s,
      unit: 'documents/s',
      note: `${SERVICE_DOCS} documents${rejected ? `, ${rejected} rejected` : ''}`,
    });
    console.log(
      `  ${String(lines).padStart(2)} lines: ${SERVICE_DOCS} documents in ${s.toFixed(2)} s = ${(SERVICE_DOCS / s).toFixed(0)} documents/s${rejected ? ` (${rejected} rejected!)` : ''}`,
    );
  }
}

console.log(
  '\n856 generation (ShipmentDispatched snapshot -> ASN interchange, 4 packages x 3 items, control numbers from MongoDB blocks of 1,000):',
);
{
  const controls = new ControlNumberAllocator({ db, owner: 'bench-856', blockSize: 1_000 });
  await controls.init();
  const order = { poNumber: 'PO-BENCH', poDate: new Date('2026-11-20T00:00:00Z'), lines: [] };
  const shipments = Array.from({ length: 100 }, (_, i) =>
    sampleShipment({
      shipmentId: `SHP-${i}`,
      packages: Array.from({ length: 4 }, (_, p) => ({
        ...samplePackage(),
        packageId: `PK-${i}-${p}`,
        sscc: null,
        contents: Array.from({ length: 3 }, (_, k) => sampleShipmentLine({ sku: `SKU-0000${k + 1}`, lineNumber: k + 1 })),
      })),
    }),
  );
  const at = new Date();
  let bytes = 0;
  const t = performance.now();
  for (let i = 0; i < ASNS; i++) {
    const body = build856(shipments[i % shipments.length]!, at, order, northwind, null);
    const c = await controls.forInterchange('northwind', 1);
    bytes += buildInterchange(northwind, c, [body], at).length;
  }
  const s = (performance.now() - t) / 1000;
  figures.push({ figure: '856 generation', value: ASNS / s, unit: 'documents/s', note: `${ASNS} ASNs; ${target(ASNS / s, 2_000)}` });
  const check = new X12Parser(true).parse(
    buildInterchange(northwind, { interchange: 1, group: 1, sets: [1] }, [build856(shipments[0]!, at, order, northwind, null)], at),
  );
  console.log(
    `  ${ASNS} ASNs (${(bytes / ASNS / 1024).toFixed(1)} KiB each) in ${s.toFixed(2)} s = ${(ASNS / s).toFixed(0)} documents/s (target >= 2,000/s); a sample parses back strictly: ${'functionalGroups' in check ? 'yes' : 'no'}`,
  );
}

await publisher.flush();
await producer.close();
await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
await admin.disconnect();
await db.dropDatabase().catch(() => undefined);
await mongo.close();
rmSync(folderRoot, { recursive: true, force: true });
console.log('\n(the machine is shared with other work while this runs; figures vary between runs)');
printSummary('edi', figures);
